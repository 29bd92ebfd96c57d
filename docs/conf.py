"""Sphinx configuration of the spikemem documentation site.

Build (from the repository root; the ``docs`` extra installs what it needs)::

    python -m sphinx -W -b html docs docs/_build/html

The notebooks (``docs/notebooks`` links to ``notebooks/``) are rendered with the outputs stored
in them and are not executed here: CI executes them in their own tests.
"""

from __future__ import annotations

import os
from importlib.metadata import version as _version

project = "spikemem"
author = "The spikemem developers"
copyright = "2026, the spikemem developers"  # noqa: A001 - Sphinx's name
release = _version("spikemem")
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "numpydoc",
    "myst_nb",
]

root_doc = "index"
templates_path = ["_templates"]
exclude_patterns = [
    "_build",
    "README.md",  # the docs folder's index on GitHub; the site's index is index.md
    "notebooks/README.md",
    "notebooks/_*.py",
    "**.ipynb_checkpoints",
]

# Markdown pages and notebooks (MyST); notebooks are shown with their stored outputs.
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb", ".ipynb": "myst-nb"}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_heading_anchors = 3
nb_execution_mode = "off"
nb_merge_streams = True

# API reference: every public module, from the docstrings (numpydoc).
autosummary_generate = True
autosummary_imported_members = False
# each object is documented once, in the module that defines it (packages re-export them)
autodoc_default_options = {"members": True, "undoc-members": True, "ignore-module-all": True}
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # the numpydoc "Parameters" sections give types and units
numpydoc_show_class_members = False
numpydoc_xref_param_type = False
numpydoc_validation_checks: set[str] = set()

# Every cross-reference must resolve (-W makes a broken one fail the build).
nitpicky = True
nitpick_ignore_regex = [
    # Types named in prose or signatures that belong to other projects; the site has no
    # intersphinx inventories (it must build offline), so these cannot resolve.
    (r"py:.*", r"(numpy|np|scipy|matplotlib|neo|brian2|nest|pyNN|nengo|nir|spynnaker|click|h5py)\..*"),
    (r"py:.*", r"(collections\.abc|typing|pathlib|os|enum|dataclasses|fractions|importlib)\..*"),
    (r"py:class", r"Path|Fraction"),
    # Private helpers (leading underscore) are not part of the API reference by design.
    (r"py:.*", r"(.*\.)?_[A-Za-z]\w*(\..*)?"),
]

html_theme = "pydata_sphinx_theme"
html_title = f"spikemem {release}"
html_theme_options = {"navigation_with_keys": False, "show_toc_level": 2}
html_static_path: list[str] = []


def _resolve_short_names(app, env, node, contnode):  # noqa: ANN001, ANN202 - Sphinx's hook
    """Resolve a Python reference that names an object by a short or re-exported name.

    The docstrings write ``RecordSpec``, ``Runnable.run`` or ``spikemem.ir.Schedule`` (the
    package's re-export), while the API pages document each object once, in the module that
    defines it (``spikemem.ir.schedule.Schedule``). Candidates are the documented objects whose
    full names end with the target, or else with its trailing components; the one sharing the
    longest module path with the target, then with the referring module, and then the shortest,
    wins.
    """
    if node.get("refdomain") != "py":
        return None
    domain = env.get_domain("py")
    target = node["reftarget"].lstrip(".~")
    parts = target.split(".")
    module = (node.get("py:module") or "").split(".")
    for start in range(len(parts)):
        suffix = ".".join(parts[start:])
        matches = domain.find_obj(
            env, node.get("py:module"), node.get("py:class"), suffix, node["reftype"], searchmode=1
        )
        if matches:
            break
    else:
        return None

    def rank(match):  # noqa: ANN001, ANN202
        name = match[0].split(".")
        return (
            -len(os.path.commonprefix([name, parts[:start]])),
            -len(os.path.commonprefix([name, module])),
            len(name),
            match[0],
        )

    name, obj = min(matches, key=rank)
    from sphinx.util.nodes import make_refnode

    return make_refnode(app.builder, node["refdoc"], obj.docname, obj.node_id, contnode, name)


def setup(app):  # noqa: ANN001, ANN201 - Sphinx's hook
    app.connect("missing-reference", _resolve_short_names)
