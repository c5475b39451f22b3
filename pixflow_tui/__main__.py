from pixflow_tui.cli import main

raise SystemExit(main())
