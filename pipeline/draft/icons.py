"""An icon for a statement card: a word of its narration that names one, so even a statement has something to
look at beside its words. Icons are Font Awesome Free's solid set (``pipeline.drawing.slides.icons``)."""

from __future__ import annotations

import re

from pipeline.drawing.slides import icons

#: Words a script says, as the icon that shows them (Font Awesome Free's solid names); a word that is itself an
#: icon's name ('ship', 'train', 'bridge') needs no entry.
ICON_WORDS = {
    "river": "water", "rivers": "water", "sea": "water", "ocean": "water", "lake": "water",
    "flood": "house-flood-water",
    "flooded": "house-flood-water", "dam": "water", "rain": "cloud-rain", "snow": "snowflake", "cold": "snowflake",
    "forest": "tree", "trees": "tree", "fish": "fish", "money": "money-bill", "dollars": "money-bill",
    "cost": "money-bill", "price": "money-bill", "prices": "money-bill", "war": "person-rifle", "army": "person-rifle",
    "soldiers": "person-rifle", "soldier": "person-rifle", "power": "bolt", "electricity": "bolt",
    "lights": "lightbulb", "idea": "lightbulb", "mountain": "mountain", "mountains": "mountain", "alps": "mountain",
    "andes": "mountain", "road": "road", "roads": "road", "trucks": "truck", "rail": "train", "railway": "train",
    "trains": "train", "tunnel": "train-subway", "plane": "plane", "planes": "plane", "pilot": "plane",
    "flights": "plane", "air": "plane", "cable": "plug", "wire": "plug", "telegraph": "tower-broadcast",
    "message": "envelope", "messages": "envelope", "news": "newspaper", "newspapers": "newspaper",
    "people": "people-group", "villages": "house", "towns": "city", "cities": "city", "city": "city",
    "children": "children", "school": "school", "schools": "school", "farmers": "tractor", "law": "scale-balanced",
    "government": "landmark", "voters": "check-to-slot", "died": "cross", "death": "cross", "memorial": "monument",
    "butterflies": "feather", "butterfly": "feather", "wings": "feather", "sun": "sun", "compass": "compass",
    "map": "map", "history": "book", "engineers": "helmet-safety", "engineer": "helmet-safety",
    "workers": "helmet-safety", "builders": "helmet-safety", "stone": "cubes", "stones": "cubes", "coal": "fire",
    "bread": "bread-slice", "flour": "wheat-awn", "food": "utensils", "scientists": "flask", "science": "flask",
    "ship": "ship", "boats": "ship", "boat": "ship", "silt": "water", "earth": "earth-americas",
    "world": "earth-americas", "time": "clock", "years": "clock", "decades": "clock", "centuries": "clock",
    "harbour": "anchor", "harbor": "anchor", "port": "anchor", "winter": "snowflake", "ice": "snowflake",
    "fog": "smog", "storm": "cloud-bolt", "storms": "cloud-bolt", "wind": "wind", "summer": "sun",
    "heat": "temperature-high", "lighthouse": "tower-observation", "tower": "tower-observation",
    "island": "umbrella-beach", "coast": "water", "desert": "sun", "farm": "tractor", "crops": "wheat-awn",
    "hospital": "hospital", "doctors": "user-doctor", "disease": "virus", "vaccine": "syringe",
    "money-bill": "money-bill", "bank": "building-columns", "banks": "building-columns",
    "prison": "handcuffs", "police": "handcuffs", "border": "flag", "country": "flag", "empire": "crown",
    "king": "crown", "queen": "crown", "emperor": "crown", "church": "church", "fire": "fire",
}  # fmt: skip


def icon_for(text: str) -> str | None:
    """An icon for a statement: the first word of ``text`` that names one (by ICON_WORDS, or being an icon's own
    name), so a statement card has something to look at beside its words."""
    known = icons.names()
    for word in re.findall(r"[a-z]+", text.lower()):
        if word in ICON_WORDS and ICON_WORDS[word] in known:
            return ICON_WORDS[word]
        if len(word) >= 4 and word not in _NOT_ICONS and word in known:
            return word
    return None


#: Icon names that are common words with another sense in a script.
_NOT_ICONS = {"will", "list", "play", "check", "minus", "plus", "hand", "hands", "font", "text", "copy", "link",
              "pause", "stop", "forward", "backward", "repeat", "table", "image", "file", "filter", "sort", "code",
              "terminal", "shield", "star", "heart", "circle", "square", "poo", "ring", "user", "users", "dice",
              "ban", "fire", "gift", "egg", "hashtag", "magnet", "anchor", "paperclip", "wind",
              "thumbtack"}  # fmt: skip
