"""The local visual vocabulary the demo text provider builds prompts from.

Rules it follows (the original app's prompt rules): no body type, age, ethnicity, skin colour, attractiveness or hair
colour; skin always keeps natural texture and pores; specific fabrics, colours and cuts; no hype words.
"""
from __future__ import annotations

from typing import NamedTuple

# Identity terms a prompt must never contain (checked on whole words / phrases).
LOCKED_TERMS = (
    "blonde", "brunette", "redhead", "asian", "african", "caucasian", "latina", "latino", "european",
    "young", "old", "elderly", "teen", "beautiful", "pretty", "gorgeous", "attractive", "sexy",
    "blue eyes", "green eyes", "brown eyes", "pale skin", "dark skin", "tanned", "slim", "skinny", "curvy",
)
BANNED_WORDS = ("flawless", "stunning", "breathtaking", "perfect skin", "airbrushed", "porcelain skin")

AESTHETICS = ("Editorial", "Lifestyle editorial", "Minimal studio", "Intimate portrait", "Fashion-forward")
MOODS = ("Romantic", "Playful", "Confident", "Intimate", "Mysterious")

FABRICS = (
    "silk charmeuse", "washed linen", "crisp cotton poplin", "fine merino knit", "brushed cashmere",
    "crushed velvet", "duchess satin", "raw selvedge denim", "supple lambskin leather", "silk organza",
    "bouclé tweed", "heavy ribbed jersey", "wide-wale corduroy", "silk chiffon", "fluffy mohair",
)
OUTFIT_COLORS = (
    "ivory", "camel", "burgundy", "emerald", "cobalt", "charcoal", "blush", "rust", "sage", "navy",
    "champagne", "terracotta", "black", "cream", "olive", "plum",
)


class Cut(NamedTuple):
    garment: str
    fit: str


CUTS = (
    Cut("double-breasted blazer", "oversized with structured shoulders, hitting mid-thigh"),
    Cut("bias-cut slip dress", "skimming the body and falling to the ankle"),
    Cut("cropped boxy jacket", "worn over a high-waisted straight trouser"),
    Cut("fitted turtleneck", "tucked into a relaxed wide-leg trouser"),
    Cut("wrap dress", "cinched at the waist with a fluid midi hemline"),
    Cut("tailored waistcoat", "buttoned over a crisp open-collar shirt"),
    Cut("one-shoulder column gown", "with a clean floor-length hem"),
    Cut("belted shirt dress", "relaxed through the body, knee length"),
    Cut("high-neck sleeveless shell", "paired with a pleated A-line midi skirt"),
    Cut("cropped trench coat", "with a storm flap, wide sleeves and a tied waist"),
    Cut("corset-seamed bodice", "over a full A-line skirt to mid-calf"),
    Cut("cable-knit sweater", "slouchy and dropped-shoulder over straight-leg jeans"),
)
UNDERNEATH = (
    "a fine-gauge camisole in a matching tone", "a white cotton tank, barely visible at the neckline",
    "a sheer mesh layer that shows at the cuffs", "nothing visible beneath; the neckline sits clean",
    "a ribbed knit bodysuit in a tonal shade",
)
ACCESSORIES = (
    "thin gold hoops and a single stacked ring", "a vintage wristwatch with a leather strap",
    "pearl drop earrings and a thin bangle", "a silk scarf knotted at the neck", "tortoiseshell sunglasses held in one hand",
    "a chunky silver chain necklace", "small diamond studs and no other jewellery", "a wide leather belt with a brass buckle",
)
STYLING = (
    "sleeves pushed to the forearm, collar slightly open", "fabric left to drape naturally with visible folds",
    "crisp pressed lines, everything precisely in place", "one side tucked loosely for an undone feel",
    "layers arranged so the texture catches the light",
)


class LightingSetup(NamedTuple):
    name: str
    setup: str
    key: str
    fill: str
    shadows: str
    mood: str
    low_key: bool


LIGHTING = (
    LightingSetup("Rembrandt", "Rembrandt lighting from a single large softbox at 45 degrees camera left",
                  "key at 45 degrees left and slightly above eye line, 5600K", "white bounce camera right at 1:4 ratio",
                  "triangle of light on the shadow-side cheek, deep but open shadows", "painterly and contemplative", True),
    LightingSetup("butterfly", "Butterfly (Paramount) lighting with a beauty dish directly above the lens axis",
                  "beauty dish centred above the camera, angled down 30 degrees, 5500K",
                  "silver reflector under the chin at 1:2 ratio", "small symmetrical shadow under the nose",
                  "polished and glamorous", False),
    LightingSetup("split", "Split lighting with a hard strip box at 90 degrees camera right",
                  "strip box at 90 degrees right at face height, 5000K", "no fill; black flag camera left",
                  "half the face in deep shadow, crisp falloff line", "graphic and mysterious", True),
    LightingSetup("rim-lit", "Rim-lit setup with two kicker lights behind the subject and a soft frontal key",
                  "octabox slightly left of camera, 5600K", "twin strip kickers behind at 1:3, outlining hair and shoulders",
                  "soft frontal shadows with a bright edge separation", "cinematic and confident", False),
    LightingSetup("loop", "Loop lighting from a medium softbox 30 degrees off-axis and just above eye level",
                  "softbox 30 degrees camera right, 5400K", "large white foam core left at 1:3",
                  "small loop shadow from the nose toward the cheek", "natural and approachable", False),
    LightingSetup("clamshell", "Clamshell beauty lighting with a softbox above and a reflector below the face",
                  "medium softbox above at 45 degrees down, 5600K", "white reflector below at 1:1.5",
                  "almost shadowless, catchlights top and bottom of the iris", "fresh and luminous", False),
    LightingSetup("window", "Large north-facing window light falling across the subject from camera left",
                  "diffused daylight through sheer curtains, about 6000K", "ambient room bounce at 1:3",
                  "soft gradient shadows wrapping around the jaw", "quiet and intimate", False),
    LightingSetup("golden hour", "Golden hour backlight from a low sun behind the subject with a bounce in front",
                  "low sun behind at 3200K creating a warm halo", "gold reflector in front at 1:2",
                  "gentle front shadows, glowing edges in the hair", "warm and romantic", False),
    LightingSetup("chiaroscuro", "Chiaroscuro lighting from one gridded spot high and to the left in a dark room",
                  "gridded spot 60 degrees left and above, 4500K", "no fill beyond faint ambient spill",
                  "dramatic deep blacks with a sculpted pool of light", "moody and theatrical", True),
    LightingSetup("high-key", "High-key studio lighting with two large softboxes and a lit white background",
                  "two large softboxes at 30 degrees each side, 5600K", "background lit two stops over, 1:1.5 on face",
                  "barely any shadow, clean bright edges", "airy and optimistic", False),
    LightingSetup("neon practical", "Neon practical lighting with a magenta tube camera left and a cyan tube right",
                  "magenta neon tube at face height left, mixed colour", "cyan neon tube right at 1:2",
                  "coloured shadows crossing over the cheekbones", "electric and nocturnal", True),
    LightingSetup("short", "Short lighting with the key on the side of the face turned away from the camera",
                  "softbox camera right on the far side of the face, 5200K", "negative fill left, about 1:5",
                  "the near side falls into shadow, narrow and sculptural", "serious and focused", True),
)

FRAMINGS = (
    "tight head-and-shoulders close-up, eyes placed on the upper third line",
    "waist-up medium shot, subject centred with breathing room above the head",
    "three-quarter length shot from mid-thigh up, subject on the left third",
    "medium close-up from the chest up, negative space opening to the right",
    "full-length shot with the subject grounded in the lower third of the frame",
    "seated medium shot at table height, subject slightly off-centre right",
    "close-up cropped just below the collarbone, face filling the upper half",
    "environmental medium-wide shot, subject small but sharp within the set",
    "vertical cowboy shot from the hips up, strong central symmetry",
    "over-the-shoulder angle turning back toward the lens, waist-up",
)
BODY_POSITIONS = (
    "standing with weight on the back leg, shoulders angled 30 degrees to camera",
    "seated on the edge of a stool, torso turned three-quarters toward the lens",
    "leaning one shoulder against the wall, hips squared to camera",
    "standing square to camera with feet hip-width apart",
    "seated with one knee raised, body angled slightly left",
    "walking pose frozen mid-step, front foot flat and stable",
)
ARMS = (
    "one hand resting lightly on the collar, the other relaxed at the side",
    "arms loosely crossed at the waist, fingers relaxed",
    "one hand in the trouser pocket, thumb out, other arm relaxed",
    "both hands holding the lapels near the chest",
    "one hand touching the jawline, elbow tucked close to the body",
    "hands clasped loosely in front at hip height",
)
POSTURES = (
    "long neck, shoulders down and relaxed, chin slightly forward",
    "upright spine with a gentle lean toward the camera",
    "relaxed and grounded, weight evenly balanced",
    "subtle S-curve through the torso, head level",
)


class Expression(NamedTuple):
    facial: str
    eyes: str
    mouth: str


EXPRESSIONS = (
    Expression("calm and self-assured, brow relaxed", "direct gaze into the lens with soft focus",
               "lips gently closed with a faint closed-mouth smile"),
    Expression("quietly amused, one brow lifted a touch", "eyes crinkled slightly at the corners toward camera",
               "corners of the mouth lifting into a restrained half-smile"),
    Expression("serene and thoughtful", "gaze just past the lens, then back to camera",
               "lips parted a few millimetres, relaxed jaw"),
    Expression("confident with a steady, grounded look", "eyes locked on the lens, lids slightly lowered",
               "neutral mouth with a hint of tension at one corner"),
    Expression("warm and open, cheeks softly raised", "bright eyes looking straight at camera",
               "open-lipped smile showing the top teeth"),
    Expression("mysterious, face half turned toward the light", "eyes to camera from under a lowered brow",
               "lips closed, mouth still and composed"),
)

BACKDROPS = (
    "a hand-painted mottled canvas backdrop in warm umber with soft falloff toward the edges",
    "a seamless paper sweep in a muted tone, curving into the floor with no visible horizon",
    "a sunlit plaster wall with arched window shadows falling diagonally across it",
    "a dark wood-panelled library with brass reading lamps glowing softly out of focus",
    "a minimal concrete studio with one curved wall and a single slit of daylight",
    "a rooftop terrace at dusk with the city skyline dissolving into round bokeh",
    "a heavy velvet drape hanging in deep vertical folds that catch the edge light",
    "a glass conservatory with ferns and palms layered in front of and behind the subject",
    "a retro diner booth with chrome trim, red vinyl seats and a neon sign behind",
    "a marble staircase with a wrought-iron balustrade receding into soft shadow",
    "a sand dune in late afternoon with long wind ripples leading to the horizon",
    "a tiled bathroom in glazed ceramic with chrome fittings and a fogged mirror",
)
PLACE_VIEWS = (  # how a place named in the concept sits behind the subject (varies a batch's backdrops)
    "seen at eye level with the far end lost in soft focus", "framed by a doorway in the near foreground",
    "with strong leading lines running toward the subject", "seen from a low angle against the sky",
    "compressed by a long lens into layered planes", "opened wide so the surroundings read clearly",
    "with a diagonal line cutting across the frame", "with one bright practical light in the far background",
)
SURFACES = (
    "polished concrete floor with a soft reflection", "weathered oak floorboards", "a worn Persian rug",
    "cream seamless paper continuing underfoot", "terrazzo tiles with fine stone chips", "fine pale sand",
)
PROPS = (
    "a bentwood chair", "a stack of art books", "a vase of dried pampas grass", "a vintage film camera",
    "a brass floor lamp", "a ceramic coffee cup", "a single draped silk scarf", "an antique gilt mirror",
    "a potted fiddle-leaf fig", "a vinyl record sleeve", "a low wooden stool", "a bowl of lemons",
)
SET_ATMOSPHERES = (
    "faint haze in the air catching the light", "clean and still, no haze", "dust motes drifting in the beam",
    "soft warm air with a slight glow around highlights", "cool crisp air with sharp edges",
)


class Lens(NamedTuple):
    lens: str
    aperture: str
    focus: str


LENSES = (
    Lens("35mm prime lens for an environmental perspective", "f/2",
         "focus on the near eye, set readable but softened"),
    Lens("50mm standard prime lens with natural perspective", "f/1.8", "focus on the eyes, background gently blurred"),
    Lens("85mm portrait prime lens compressing the background", "f/1.4",
         "razor-thin focus on the near eye, creamy bokeh"),
    Lens("105mm macro-capable portrait lens for tight detail", "f/2.8",
         "focus on the eyes with fabric texture crisp"),
    Lens("135mm telephoto prime isolating the subject", "f/2", "eyes sharp, background melted into colour"),
    Lens("70-200mm zoom at 150mm for strong compression", "f/2.8", "focus on the eyes, set compressed and soft"),
)
ANGLES = (
    "eye level, lens square to the face", "slightly below eye level, looking up a few degrees",
    "slightly above eye level, angled down gently", "three-quarter angle at chest height",
)
DISTORTIONS = ("none; straight verticals", "minimal; corrected in camera", "none; natural proportions")


class Hair(NamedTuple):
    style: str
    parting: str
    details: str
    finish: str


HAIRSTYLES = (
    Hair("sleek low bun at the nape", "centre parting", "two loose face-framing strands", "glossy with no flyaways"),
    Hair("loose natural waves past the shoulders", "deep side parting", "volume lifted at the crown", "soft satin sheen"),
    Hair("tousled textured bob", "off-centre parting", "piece-y ends pushed back on one side", "matte, lived-in"),
    Hair("high polished ponytail", "no parting, swept back", "wrapped base hiding the elastic", "high shine"),
    Hair("soft blow-out with rounded ends", "side parting", "bounce through the lengths", "silky, light-reflective"),
    Hair("braided crown with loose tendrils", "centre parting", "braid pinned above the ears", "natural with soft texture"),
    Hair("slicked-back wet look", "no parting", "combed lines visible through the lengths", "wet-look gloss"),
    Hair("curtain fringe with layered ends", "centre parting", "fringe brushed away from the eyes", "airy and soft"),
)


class Makeup(NamedTuple):
    style: str
    skin: str
    eyes: str
    lips: str


MAKEUP = (
    Makeup("clean editorial", "natural skin texture with visible pores, sheer tint, light dewiness on the cheekbones",
           "groomed brows, thin brown liner on the upper lash line", "soft rosy balm"),
    Makeup("warm bronzed", "real skin texture and fine pores kept, warm bronzer along the temples",
           "copper shimmer on the lid, soft smudged lower lash line", "nude-caramel satin lip"),
    Makeup("graphic", "matte skin that still shows natural pores and texture, minimal concealer",
           "sharp black winged liner, bare lid", "blotted berry stain"),
    Makeup("fresh no-makeup", "bare-looking skin with natural texture, pores and a few freckles left visible",
           "clear brow gel, curled lashes only", "tinted lip oil"),
    Makeup("classic glamour", "satin finish that keeps natural skin texture and pores, light contour",
           "soft brown smoky eye, full lashes", "true red matte lip"),
    Makeup("romantic flush", "natural skin texture with pores visible, cream blush high on the cheeks",
           "pink-champagne wash on the lid, mascara", "blurred rose lip"),
)

COLOR_GRADES = (
    "Kodak Portra 400 emulation, warm skin tones and soft greens", "Fuji Pro 400H pastel grade with minty shadows",
    "Cinestill 800T tungsten look with teal shadows and orange highlights", "bleach bypass, muted saturation",
    "Ilford HP5 black-and-white conversion with rich deep blacks", "warm golden grade with lifted shadows",
    "cool cyan shadows with neutral, clean highlights", "Kodak Ektachrome look, punchy saturated colour",
)
GRAINS = (
    "fine 35mm film grain, even across the frame", "subtle organic grain like ISO 400 film",
    "medium grain visible mostly in the shadows", "light grain, barely perceptible",
)
VIGNETTES = ("soft natural vignette pulling focus to the face", "none", "gentle darkening in the corners")
LENS_FLARES = ("none", "a faint warm veiling flare from the top left", "none; flagged key light")
EFFECT_ATMOSPHERES = ("slight bloom on the highlights", "clean and crisp", "soft haze lifting the blacks")
CONTRASTS = ("medium contrast with open shadows", "high contrast with deep blacks", "low contrast, filmic roll-off")

HEROES = (
    "the {fabric} texture must read in sharp detail, every fold and weave visible",
    "the {colour} of the outfit is the single saturated accent in the frame",
    "the {light} light shape on the face must be clean and clearly readable",
    "direct eye contact with crisp catchlights in both eyes",
    "the backdrop layering must stay behind the subject, never competing with the face",
    "{place} must read at first glance behind the subject without pulling focus from the face",
)
