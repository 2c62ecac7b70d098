"""Safe HTML from Markdown: one allow-list of tags, attributes and URLs for the site and the PDFs.

Markdown fields of program.yaml and content pages become HTML through Python-Markdown and its
extensions (raw HTML, attribute lists, ...). Rather than patch each extension, the HTML they
produce passes through `clean` (nh3, the binding of the Rust sanitizer ammonia) before a
reader's browser or WeasyPrint sees it:

- tags: text structure, lists, tables, details/summary, figure, images and links; everything
  else (script, style, iframe, svg, form, link, meta, ...) is removed, its text kept (a script's
  or stylesheet's text too is dropped);
- attributes: `id`, `class`, `title`, `lang` and `dir` anywhere, and what each tag needs (`href`,
  `src`, `alt`, `colspan`, ...); no event handler, no `style`, no `rel`, no `srcset`;
- URLs: links may go anywhere over http(s), mailto: and tel: or to a relative target; images
  and other embedded resources only to a relative path, never to another host.

The site runs `clean` on each page's HTML (a plugin of the MkDocs engine,
`handbook.output.engines.mkdocs`; the `makeExtension` Markdown extension below for Zensical);
the print side passes a `rewrite` that turns links into in-book anchors. Nothing here imports
a site engine.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional
from urllib.parse import urlsplit

import nh3

TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong", "sub", "summary",
    "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var",
})
ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "dir"},
    "a": {"href", "download"},
    "img": {"src", "alt", "width", "height", "loading"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "details": {"open"},
    "time": {"datetime"},
}
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

Rewrite = Callable[[str, str, str], Optional[str]]

_IGNORED_IN_URLS = re.compile(r"[\x00-\x20\x7f]+")  # browsers drop these before reading a URL


def _compact(url: str) -> str:
    return _IGNORED_IN_URLS.sub("", url).replace("\\", "/")


def scheme(url: str) -> str:
    """Return the scheme of `url` as a browser reads it, lowercase; `?` when it cannot be read."""
    try:
        return urlsplit(_compact(url)).scheme.lower()
    except ValueError:
        return "?"


def leaves_site(url: str) -> bool:
    """Return whether `url` names a scheme or another host (a relative path or `#anchor` does not)."""
    compact = _compact(url)
    return compact.startswith("//") or bool(scheme(url))


def safe_link(url: str) -> bool:
    """Return whether a link to `url` is safe to follow: relative, or over an allowed scheme."""
    if not scheme(url):  # a relative path, an anchor, or `//host` over the page's own http(s)
        return True
    return scheme(url) in LINK_SCHEMES


def _allowed(attribute: str, value: str) -> bool:
    if attribute == "href":
        return safe_link(value)
    return attribute != "src" or not leaves_site(value)  # another host's image is fetched by every reader


def _checked(tag: str, attribute: str, value: str, rewrite: Optional[Rewrite]) -> Optional[str]:
    # nh3 removes URLs whose scheme it does not allow before this runs, but it neither knows that
    # images must stay on the site nor checks what this returns: both are checked here.
    if not _allowed(attribute, value):
        return None
    changed = value if rewrite is None else rewrite(tag, attribute, value)
    return changed if changed is None or _allowed(attribute, changed) else None


def _cleaner(rewrite: Optional[Rewrite]) -> Any:
    return nh3.Cleaner(tags=set(TAGS), attributes={k: set(v) for k, v in ATTRIBUTES.items()},
                       url_schemes=set(LINK_SCHEMES), link_rel=None, strip_comments=True,
                       attribute_filter=lambda tag, attribute, value: _checked(tag, attribute, value, rewrite))


_SITE: Any = None


def clean(html: str, rewrite: Optional[Rewrite] = None) -> str:
    """Return `html` with only allowed tags, attributes and URLs; `rewrite` may change or drop what stays."""
    global _SITE
    if rewrite is not None:
        return str(_cleaner(rewrite).clean(html))
    if _SITE is None:
        _SITE = _cleaner(None)
    return str(_SITE.clean(html))


def clean_toc(tokens: list[dict[str, Any]]) -> None:
    """Sanitise the `html` of Python-Markdown's table-of-contents tokens in place (Zensical shows it)."""
    for token in tokens:
        if isinstance(token.get("html"), str):
            token["html"] = clean(token["html"])
        clean_toc(token.get("children") or [])


def makeExtension(**kwargs: Any) -> Any:  # noqa: N802 - the name Python-Markdown looks for
    """Return a Markdown extension that sanitises the finished HTML (Zensical loads it by module name)."""
    from markdown.extensions import Extension
    from markdown.postprocessors import Postprocessor

    class Sanitize(Postprocessor):
        def run(self, text: str) -> str:
            clean_toc(getattr(self.md, "toc_tokens", None) or [])
            return clean(text)

    class SanitizeExtension(Extension):
        def extendMarkdown(self, md: Any) -> None:  # noqa: N802 - Python-Markdown's name
            # Last of all postprocessors: raw HTML is back in place, every placeholder resolved.
            md.postprocessors.register(Sanitize(md), "handbook-sanitize", -1000)

    return SanitizeExtension(**kwargs)
