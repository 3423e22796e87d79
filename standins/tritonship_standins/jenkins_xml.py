"""How Jenkins stores an item's config.xml: XStream writes the item back out (the Jenkins stand-in's storage).

`AbstractItem.updateByXml` / `createItem` unmarshal the XML they are given into the item, and XStream writes it
to disk again: its own `<?xml version='1.1' encoding='UTF-8'?>` declaration, two-space indentation,
`plugin="name@version"` on classes that plugins define, `<x/>` for empty elements, and `&quot;` / `&apos;` in
text. A seeder that compared texts would see changes that are none.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

# class-name prefix -> the plugin@version XStream writes into `plugin="..."` (versions of a 2.479 LTS setup)
PLUGINS = {
    "jenkins.branch.buildstrategies.basic.": "basic-branch-build-strategies@81.v05e333931c7d",
    "com.cloudbees.hudson.plugins.folder.": "cloudbees-folder@6.955.v81e2a_35c08d3",
    "org.jenkinsci.plugins.workflow.multibranch.": "workflow-multibranch@795.ve0cb_1f45ca_9a_",
    "org.jenkinsci.plugins.workflow.job.": "workflow-job@1436.vfa_244484591f",
    "jenkins.branch.": "branch-api@2.1178.v969d9eb_c728e",
    "jenkins.plugins.git.": "git@5.5.2",
    "jenkins.scm.impl.": "scm-api@696.v778d637b_a_762",
}


def as_jenkins_writes_it(config: str) -> str:
    """The XML as XStream writes the item back out (raises ET.ParseError for a body that is not XML)."""
    root = ET.fromstring(strip_declaration(config))  # noqa: S314 - our own test server
    return "<?xml version='1.1' encoding='UTF-8'?>\n" + "\n".join(_xstream(root, 0)) + "\n"


def _xstream(element: ET.Element, depth: int) -> list[str]:
    attributes = dict(element.attrib)
    plugin = next((v for k, v in PLUGINS.items() if (attributes.get("class") or element.tag).startswith(k)), None)
    if plugin:
        attributes["plugin"] = plugin
    attrs = "".join(f' {k}="{_escape(v)}"' for k, v in attributes.items())
    pad = "  " * depth
    children = list(element)
    text = (element.text or "") if not children else ""
    if not children and not text:
        return [f"{pad}<{element.tag}{attrs}/>"]
    if not children:
        return [f"{pad}<{element.tag}{attrs}>{_escape(text)}</{element.tag}>"]
    lines = [f"{pad}<{element.tag}{attrs}>"]
    for child in children:
        lines.extend(_xstream(child, depth + 1))
    return [*lines, f"{pad}</{element.tag}>"]


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&apos;").replace("\r", "&#xd;"))


def strip_declaration(xml: str) -> str:
    text = xml.lstrip()
    if text.startswith("<?xml"):
        text = text[text.find("?>") + 2 :]
    return text
