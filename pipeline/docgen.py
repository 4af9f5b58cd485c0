"""The storyboard reference, written from the storyboard's JSON schema so that it cannot drift from the code.

    python -m pipeline.docgen > docs/storyboard.md

Every field comes from the pydantic models (their types, defaults, limits and
descriptions); each slide kind gets a section with an example scene kept here,
in ``EXAMPLES``, which the tests load through the real loader. A new slide kind
needs an example here before the tests pass.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pipeline
from pipeline.loading.storyboard import json_schema  # the loader's own schema, as `explainer schema` prints it

#: One example scene per slide kind, as written under a section's ``scenes:``. Each must validate.
EXAMPLES: dict[str, str] = {
    "title": """\
- id: opening
  slide:
    kind: title
    kicker: A documentary explainer
    title: Why It's Nearly Impossible to Escape North Korea
    subtitle: Borders, brokers and the price of freedom
  narration: This is the story of one of the hardest borders on Earth to cross.
""",
    "section": """\
- id: the-risk
  slide: {kind: section}
  narration: Part one. The risk.
""",
    "stat": """\
- id: since-1990
  slide:
    kind: stat
    qualifier: about
    value: 34000
    label: North Koreans have reached the South since 1990
    source: Ministry of Unification, Republic of Korea
    of: {value: 25700000, label: North Koreans}
  narration: Since 1990, around 34,000 North Koreans have made it to the South.
""",
    "bullets": """\
- id: crackdown
  slide:
    kind: bullets
    title: After 2011
    items:
      - Border guards doubled
      - {text: Signal jammers installed, sentence: 2}
      - {text: New fences, sentence: 3}
  narration: After 2011 the border changed. Signal jammers went up. Then came new fences.
""",
    "quote": """\
- id: inquiry
  slide:
    kind: quote
    text: The gravity, scale and nature of these violations reveal a state without parallel.
    attribution: UN Commission of Inquiry, 2014
  narration: In 2014 a United Nations inquiry found a state without parallel in the world.
""",
    "compare": """\
- id: broker-prices
  slide:
    kind: compare
    title: What a broker charges
    before: {value: "$2,000", label: before 2011}
    after: {value: "$10,000", label: today}
    change: 5x
    source: Interviews with defectors
  narration: A broker used to charge about two thousand dollars. Today it is ten thousand.
""",
    "chart": """\
- id: arrivals
  slide:
    kind: chart
    type: bar
    title: Arrivals in the South
    labels: ["2009", "2011", "2019", "2021"]
    values: [2914, 2706, 1047, 63]
    highlight: ["2021"]
    y_title: People
    source: Ministry of Unification
  narration: Arrivals peaked in 2009. By 2021, only 63 people made it.
""",
    "timeline": """\
- id: history
  slide:
    kind: timeline
    title: The pole
    spacing: time
    events:
      - {date: Dec 1911, text: Amundsen reaches the pole}
      - {date: 1956, text: First landing, sentence: 2}
  narration: Amundsen reached the pole in December 1911. In 1956 a plane landed there.
""",
    "steps": """\
- id: turbines
  slide:
    kind: steps
    title: From river to grid
    steps:
      - {text: The dam holds a reservoir, icon: water}
      - {text: Water falls through a penstock, sentence: 2}
      - {text: Turbines turn generators, icon: bolt, sentence: 3}
  narration: The dam holds back a reservoir. Water falls through a penstock. It turns the turbines.
""",
    "scale": """\
- id: baikal
  slide:
    kind: scale
    title: Lake Baikal beside Belgium
    unit: km²
    items: [{label: Lake Baikal, value: 31722}, {label: Belgium, value: 30689}]
    source: Natural Earth
  narration: Lake Baikal is larger than Belgium.
""",
    "profile": """\
- id: everest
  slide:
    kind: profile
    title: The climb
    points: [[0, 5364], [4, 6400], [8, 7950], [10, 8849]]
    marks: [{at: 0, text: Base camp}, {at: 10, text: "Summit, 8,849 m"}]
    x_title: Distance (km)
    y_title: Elevation (m)
    source: Survey of Nepal
  narration: From base camp the route climbs three and a half kilometres in ten.
""",
    "route": """\
- id: the-route
  slide:
    kind: route
    title: The long way round
    stops:
      - North Korea
      - China
      - {places: [Laos, Thailand], sentence: 2}
      - {places: [South Korea], sentence: 3}
    areas:
      - {fill: [North Korea], label: North Korea}
  narration: Most escape north into China. From there they cross Laos into Thailand. Then they fly to Seoul.
""",
    "map": """\
- id: three-sides
  slide:
    kind: map
    title: Three of four directions are closed
    style: flat
    camera:
      - {centre: North Korea, span: 16000}
      - {show: [North Korea, South Korea], at: 1, seconds: 3}
    regions:
      - {name: North Korea, color: soft, at: 1}
      - {name: Yellow Sea, at: 2}
    lines:
      - {border: [North Korea, South Korea], label: DMZ, at: 3}
      - {river: Yalu, color: water, at: 3}
    labels:
      - {text: Yellow Sea, kind: sea, at: 2}
    pins:
      - {place: Pyongyang, note: The capital, at: 1}
  narration: Look at the map. To the west lies the Yellow Sea. To the south, the DMZ.
""",
    "image": """\
- id: the-river
  slide:
    kind: image
    file: assets/images/border-river.png
    move: in
    focus: [0.6, 0.4]
    title: The Tumen River
    caption: In winter the river freezes
    credit: "Illustration: explainer"
  narration: In winter the Tumen River freezes over.
""",
    "video": """\
- id: night-crossing
  slide:
    kind: video
    file: assets/footage/border-night.mp4
    from: 1
    to: 6
    fit: cover
    volume: -12
    when_short: freeze
    caption: A reconstruction
  narration: Remember the soldier in the jeep.
""",
    "closing": """\
- id: closing
  slide:
    kind: closing
    title: Freedom has a price
    lines: [Thanks for watching]
  narration: For those who make it, freedom has a price.
""",
}

#: The storyboard's own settings, in the order a reader meets them, before the slide kinds.
_SETTINGS = [
    "VideoSettings", "NarrationSettings", "MusicSettings", "Thumbnail", "Section", "Scene", "SceneVoice", "Short"
]  # fmt: skip


def reference() -> str:
    """The reference as Markdown: the storyboard's fields, then one section per slide kind with its example."""
    schema = json_schema()
    defs = schema["$defs"]
    kinds = defs["Scene"]["properties"]["slide"]["discriminator"]["mapping"]
    names = _heading_names(defs, kinds)
    out = [
        "# Storyboard reference",
        "",
        "<!-- Generated by `python -m pipeline.docgen > docs/storyboard.md` from the schema; do not edit. -->",
        "",
        "Every field a storyboard may write, with its type, default, limits and meaning, read from the",
        "models the loader validates with. A field not listed is an error. Text limits are characters;",
        "any text within them fits its slide in the wide format (a portrait or square frame may refuse",
        "a slide filled to every limit at once: `explainer validate --format vertical` says where).",
        "`explainer schema` prints the same as JSON Schema, for an editor.",
        "",
        "## Contents",
        "",
        "- [Storyboard](#storyboard)",
        *(f"- [{names[d]}](#{anchor(names[d])})" for d in _SETTINGS),
        "- [Slide kinds](#slide-kinds): "
        + ", ".join(f"[`{k}`](#{anchor(names[_ref_name(kinds[k])])})" for k in pipeline.KINDS),
        "",
        "## Storyboard",
        "",
        "The top level of the file.",
        "",
        *_table(schema, names),
    ]
    for name in _SETTINGS:
        out += [f"## {names[name]}", "", *_about(defs[name]), *_table(defs[name], names)]
    out += ["## Slide kinds", "", "A scene's `slide:` is one of these, picked by its `kind`.", ""]
    for kind in pipeline.KINDS:
        spec = _ref_name(kinds[kind])
        summary = _summary(sys.modules[pipeline.KINDS[kind].spec.__module__].__doc__)
        example = EXAMPLES.get(kind, "")
        out += [f"### {names[spec]}", "", summary, "", *_table(defs[spec], names, skip={"kind"})]
        out += ["Example scene:", "", "```yaml", example.rstrip("\n"), "```", ""]
        for part in _parts(defs, spec):
            out += [f"#### {names[part]}", "", *_about(defs[part]), *_table(defs[part], names)]
    return "\n".join(out).rstrip("\n") + "\n"


def _heading_names(defs: dict[str, Any], kinds: dict[str, str]) -> dict[str, str]:
    """A heading for every model: settings by their words, a kind's spec and parts by the kind."""
    names = {name: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).capitalize() for name in defs}
    for kind, ref in kinds.items():
        spec = _ref_name(ref)
        names[spec] = f"`{kind}` slide"
        for part in _parts(defs, spec):
            names[part] = f"{part.rsplit('__', 1)[-1]} in `{kind}`"
    return names


def _parts(defs: dict[str, Any], name: str) -> list[str]:
    """The models a model refers to, depth first, each once."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if ref and _ref_name(ref) not in found:
                found.append(_ref_name(ref))
                walk(defs[_ref_name(ref)])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(defs[name])
    return found


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _summary(doc: str | None) -> str:
    first = (doc or "").strip().split("\n\n")[0]
    return " ".join(first.split())


def _about(model: dict[str, Any]) -> list[str]:
    return [model["description"], ""] if model.get("description") else []


def _table(model: dict[str, Any], names: dict[str, str], skip: frozenset[str] | set[str] = frozenset()) -> list[str]:
    rows = ["| field | type | default | limits | description |", "| --- | --- | --- | --- | --- |"]
    required = set(model.get("required", []))
    for field, prop in model.get("properties", {}).items():
        if field in skip:
            continue
        default = "required" if field in required else _default(prop)
        cells = [f"`{field}`", _type(prop, names), default, _limits(prop), prop.get("description", "")]
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return [*rows, ""]


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|") or " "


def _default(prop: dict[str, Any]) -> str:
    if "default" not in prop:
        return "empty" if prop.get("type") in ("array", "object") else " "
    value = prop["default"]
    if value is None:
        return "none"
    if isinstance(value, dict) and len(json.dumps(value)) > 30:
        return "see its section"
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def _type(prop: dict[str, Any], names: dict[str, str]) -> str:
    if "$ref" in prop:
        name = names[_ref_name(prop["$ref"])]
        return f"[{name}](#{anchor(name)})"
    if "discriminator" in prop:
        return "[a slide](#slide-kinds)"
    if "anyOf" in prop or "oneOf" in prop:
        options = [o for o in prop.get("anyOf", prop.get("oneOf")) if o.get("type") != "null"]
        return " or ".join(dict.fromkeys(_type(o, names) for o in options))
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "enum" in prop:
        return "one of " + ", ".join(f"`{v}`" for v in prop["enum"])
    kind = prop.get("type")
    if kind == "array" and "prefixItems" in prop:
        return "[" + ", ".join(_type(p, names) for p in prop["prefixItems"]) + "]"
    if kind == "array":
        item = _type(prop.get("items", {}), names)
        return f"list of ({item})" if " or " in item else f"list of {item}"
    if kind == "object":
        values = prop.get("additionalProperties")
        return "mapping of " + _type(values, names) if isinstance(values, dict) else "mapping"
    return {"string": "text", "number": "number", "integer": "whole number", "boolean": "true/false"}.get(kind, "any")


def _limits(prop: dict[str, Any]) -> str:
    """Every bound on the value, its alternatives and its items, as a reader writes them."""
    found: list[str] = []

    def bound(node: dict[str, Any], what: str = "") -> None:
        low = node.get("minimum", node.get("ge"))
        high = node.get("maximum", node.get("le"))
        if "exclusiveMinimum" in node:
            found.append(f"{what}> {_number(node['exclusiveMinimum'])}")
        if low is not None or high is not None:
            found.append(what + _range(low, high, ""))
        if "minLength" in node or "maxLength" in node:
            found.append(what + _range(node.get("minLength"), node.get("maxLength"), " characters"))
        if ("minItems" in node or "maxItems" in node) and "prefixItems" not in node:
            found.append(what + _range(node.get("minItems"), node.get("maxItems"), " items"))
        if "pattern" in node:
            found.append(f"{what}lower-case letters, digits and single dashes")
        for option in [*node.get("anyOf", []), *node.get("prefixItems", [])]:
            bound(option, what)
        if isinstance(node.get("items"), dict):
            bound(node["items"], "each ")
        if isinstance(node.get("additionalProperties"), dict):
            bound(node["additionalProperties"], "each value ")
        if isinstance(node.get("propertyNames"), dict):
            bound(node["propertyNames"], "each name ")

    bound(prop)
    return "; ".join(dict.fromkeys(found))


def _range(low: Any, high: Any, unit: str) -> str:
    if low is not None and high is not None:
        return f"{_number(low)} to {_number(high)}{unit}"
    one = low if high is None else high
    unit = unit[:-1] if one == 1 and unit.endswith("s") else unit  # "at least 1 item"
    return f"at least {_number(low)}{unit}" if low is not None else f"at most {_number(high)}{unit}"


def _number(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e7 else f"{value:.0e}".replace("e+", "e")


def main() -> None:
    sys.stdout.write(reference())


if __name__ == "__main__":
    main()
