"""The site's files from its data: index.html, one page per flag, index.json.

Templates ship with the package and autoescape everything: descriptions, rule texts and commit
subjects come from the repository and must never become markup. Output is a pure function of
the data, so the same data gives byte-identical files.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import datetime
from importlib.resources import files
from typing import Any

from flagwright.site.pictures import bar, colours, timeline


def render_pages(data: Mapping[str, Any], now: datetime, full_days: int) -> dict[str, str]:
    """``{relative path: text}`` of every file of the site."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("flagwright.site", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    from markupsafe import Markup

    # The stylesheet ships with the package (never from the repository): trusted markup.
    css = Markup((files("flagwright.site") / "templates" / "site.css").read_text(encoding="utf-8"))
    flags = [_view(f, now) for f in data["flags"]]
    common = {"css": css, "repository": data["repository"], "site": data, "full_days": full_days}
    out = {"index.html": env.get_template("index.html.j2").render(root="", flags=flags, **common)}
    flag_page = env.get_template("flag.html.j2")
    for view in flags:
        out[f"flags/{view['key']}.html"] = flag_page.render(
            root="../",
            f=view,
            palette=view["palette"],
            environments=data["environments"],
            history_unavailable=data["history_unavailable"],
            **common,
        )
    out["index.json"] = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    return out


def _view(flag: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The flag's record plus what only the pages need (bar rectangles, timeline geometry)."""
    view = copy.deepcopy(dict(flag))
    palette = colours(list(flag["variants"]), str(flag["default"]))
    view["palette"] = palette
    for c in view["environments"].values():
        c["bar"] = bar(c["weights"], palette)
        c["timeline"] = timeline(c["rollout"], now) if c["rollout"] else None
    return view
