"""Translation of what a student reads: case descriptions and hints, the judge's messages.

Texts are marked where they are written: `N_("...")` where the text is stored (a case's `what`
and `hint`: translated later, where shown), `_("...")` where it is shown. Catalogs are gettext's,
in locale/<language>/LC_MESSAGES/nnkit.mo, made with Babel (`pybabel extract` / `init` / `compile`,
docs/authoring.md); the language is course.toml's. With no catalog, texts stay as written.
"""
import gettext
from functools import cache

from nnkit.kernel.config import COURSE_ROOT, LANGUAGE

DOMAIN = "nnkit"
LOCALE_DIR = COURSE_ROOT / "locale"


def N_(text: str) -> str:
    """Mark a text for translation where it is stored; it is translated where it is shown."""
    return text


@cache
def translation(language: str = LANGUAGE) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True)


def _(text: str) -> str:
    return translation().gettext(text) if text else text
