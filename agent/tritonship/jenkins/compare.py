"""Comparing a rendered config.xml with the live one, as Jenkins stores it.

Jenkins does not keep the XML it is given: `AbstractItem.updateByXml` unmarshals it into the item and
XStream writes the item back out, with its own XML declaration (version 1.1), `plugin="name@version"`
attributes, its indentation, attributes in its own order, `<x/>` for empty elements and entities such as
`&quot;` / `&apos;` in text. Those differences are not changes; anything else (a field edited in the web
UI) is. Both sides are therefore compared in a canonical form.
"""

from __future__ import annotations

import difflib
import xml.etree.ElementTree as ET

from tritonship.jenkins.render import MARKER


def normalize(xml: str) -> str:
    """A canonical text of the document: no declaration, no plugin attributes, no layout whitespace."""
    try:
        root = ET.fromstring(_strip_declaration(xml))  # noqa: S314
    except ET.ParseError:
        return xml.strip()
    for element in root.iter():
        element.attrib.pop("plugin", None)
        attributes = sorted(element.attrib.items())
        element.attrib.clear()
        element.attrib.update(attributes)
        if element.text is not None and not element.text.strip():
            element.text = None
        if element.tail is not None and not element.tail.strip():
            element.tail = None
    return ET.tostring(root, encoding="unicode")


def root_tag(xml: str) -> str:
    """The item's class as Jenkins stores it: the document's root element ('' when not XML)."""
    try:
        return ET.fromstring(_strip_declaration(xml)).tag  # noqa: S314
    except ET.ParseError:
        return ""


def same_config(desired: str, live: str) -> bool:
    return normalize(desired) == normalize(live)


def is_managed(xml: str) -> bool:
    try:
        root = ET.fromstring(_strip_declaration(xml))  # noqa: S314
    except ET.ParseError:
        return False
    description = root.findtext("description") or ""
    return MARKER in description


def unified_diff(name: str, live: str | None, desired: str | None) -> str:
    before = _pretty(live) if live is not None else []
    after = _pretty(desired) if desired is not None else []
    lines = difflib.unified_diff(before, after, fromfile=f"jenkins:{name}", tofile=f"seed:{name}", lineterm="")
    return "\n".join(lines)


def _pretty(xml: str) -> list[str]:
    try:
        root = ET.fromstring(normalize(xml))  # noqa: S314
    except ET.ParseError:
        return xml.splitlines()
    ET.indent(root)
    return ET.tostring(root, encoding="unicode").splitlines()


def _strip_declaration(xml: str) -> str:
    text = xml.strip()
    if text.startswith("<?xml"):
        end = text.find("?>")
        text = text[end + 2 :] if end >= 0 else text
    return text
