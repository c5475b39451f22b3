from pixflow_tui.cli import run

# The guard matters: worker processes ("spawn") import this module again and must not start the CLI.
if __name__ == "__main__":
    raise SystemExit(run())
