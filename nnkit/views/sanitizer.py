"""What a page that shows a student's notebook or output may keep of it: an explicit allowlist,
applied by nh3 (Ammonia, which parses as a browser does), and the Content-Security-Policy of the
pages the kit writes. nbgrader_config.py sets `HTMLExporter.sanitize_html` and replaces two of
nbconvert's filters with these: `clean_html` (keeping MathML, images, headings and tables) and
`markdown2html` (markdown rendered as nbconvert does, then cleaned). What is kept and what is not,
and why: docs/grading.md (Pages that show a student's work run none of it).
"""
import nh3
from jinja2 import pass_context
from nbconvert.filters.ansi import _ANSI_COLORS
from pygments.token import STANDARD_TYPES

HTML_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "dfn", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li",
    "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var",
}
MATHML_TAGS = {
    "math", "annotation", "semantics", "menclose", "merror", "mfrac", "mi", "mmultiscripts", "mn", "mo", "mover",
    "mpadded", "mphantom", "mprescripts", "mroot", "mrow", "ms", "mspace", "msqrt", "mstyle", "msub", "msubsup",
    "msup", "mtable", "mtd", "mtext", "mtr", "munder", "munderover", "none",
}
TAGS = HTML_TAGS | MATHML_TAGS
DROPPED_WITH_CONTENT = {"script", "style", "template", "textarea", "title", "noscript", "xmp", "iframe", "object",
                        "embed", "noembed", "noframes", "svg"}
MATHML_ATTRIBUTES = {"display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "stretchy", "fence",
                     "separator", "form", "largeop", "movablelimits", "symmetric", "lspace", "rspace", "minsize",
                     "maxsize", "accent", "accentunder", "linethickness", "columnalign", "columnspacing",
                     "columnlines", "rowalign", "rowspacing", "rowlines", "columnspan", "width", "height", "depth",
                     "voffset", "notation", "encoding"}
ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"}, "th": {"colspan", "rowspan", "align", "scope"},
    "table": {"border"}, "ol": {"start", "type"}, "div": {"style"}, "span": {"style"}, "tr": {"style"},
    **{f"h{level}": {"id"} for level in range(1, 7)},  # nbconvert's heading anchors
    **{tag: MATHML_ATTRIBUTES for tag in MATHML_TAGS},
}
STYLE_PROPERTIES = {"color", "background-color", "font-weight", "font-style", "text-decoration", "text-align",
                    "vertical-align", "white-space", "width", "height", "max-width"}  # none of them takes a URL
URL_SCHEMES = {"http", "https", "mailto", "data"}
DATA_IMAGE = "data:image/"


LINKS = ("http:", "https:", "mailto:", "#")

# Student HTML never meets the page around it (the formgrader, the feedback): it keeps only the
# classes of nbconvert's own rendering (Pygments' highlighting, the ANSI colours of a traceback or a
# print, a heading's anchor link, a pandas table), so no class of the page's (Bootstrap's
# `navbar-fixed-top`...) can place it; and each id and name it carries, with each link to one, is
# prefixed, so that none equals the page's (the formgrader's `#<grade id>` bindings, the feedback's
# `#<grade id>` links). Why this and not a frame: docs/grading.md.
ID_PREFIX = "student-"
ANSI_CLASSES = {f"{colour}-{layer}" for colour in _ANSI_COLORS for layer in ("fg", "bg")} | {
    "ansi-default-inverse-fg", "ansi-default-inverse-bg", "ansi-bold", "ansi-underline"}  # nbconvert.filters.ansi's
CLASSES = frozenset({name for name in STANDARD_TYPES.values() if name} | ANSI_CLASSES
                    | {"highlight", "anchor-link", "dataframe"})


def keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    """A data: URL only as an image's source, and only of an image type. A link only to the web, an
    address or a place in the page: a relative link from a graded notebook would open a file of the
    student's submission that the formgrader serves on the Jupyter server's origin (say, an HTML
    file with a script). Only the classes in CLASSES; every id, name and link to a place prefixed."""
    url = value.strip().lower()
    if attribute == "src" and url.startswith("data:"):
        return value if tag == "img" and url.startswith(DATA_IMAGE) else None
    if attribute == "href":
        if value.strip().startswith("#"):
            return "#" + prefixed(value.strip()[1:])
        return value if url.startswith(LINKS) else None
    if attribute in ("id", "name"):
        return prefixed(value)
    if attribute == "class":
        kept = [name for name in value.split() if name in CLASSES]
        return " ".join(kept) or None
    return value


def prefixed(name: str) -> str:
    """A student's id or name, in the prefix no id of the page has (once: markdown is cleaned twice on its way)."""
    return name if name.startswith(ID_PREFIX) else ID_PREFIX + name


def clean(html) -> str:
    """The HTML fragment with only what the allowlist keeps."""
    text = html.decode() if isinstance(html, bytes) else str(html)
    return nh3.clean(text, tags=TAGS, clean_content_tags=DROPPED_WITH_CONTENT, attributes=ATTRIBUTES,
                     attribute_filter=keep_attribute, url_schemes=URL_SCHEMES, strip_comments=True,
                     filter_style_properties=STYLE_PROPERTIES)


def clean_html(element) -> str:
    """nbconvert's `clean_html` filter, with this module's allowlist."""
    return clean(element)


_exporter = None


@pass_context
def markdown2html(context, source) -> str:
    """nbconvert's `markdown2html` filter (markdown with its attachments), cleaned."""
    global _exporter
    from nbconvert.exporters import HTMLExporter

    if _exporter is None:
        _exporter = HTMLExporter()
    return clean(HTMLExporter.markdown2html(_exporter, context, source))


# The pages the kit writes itself (the feedback, the report) run no script of their own: their CSP,
# as a <meta> tag first in their <head>, forbids every script, inline or not, and every frame,
# object, form target and base URL; styles inline (the pages' own), images inline or from their folder.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; font-src 'self' data:; "
    "base-uri 'none'; form-action 'none'"
)


def csp_meta(_=None) -> str:
    """The <meta> tag of CONTENT_SECURITY_POLICY (a template filter: `{{ '' | csp_meta }}`)."""
    return f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">'
