"""Publish the budget graph as linked data: dumps, a DCAT/VoID description, a server, a static site.

The functions the command line wires up::

    export(build_dir, out_dir, formats=("ttl", "nt", "jsonld")) -> {format: path}
    dataset_description(build_dir) -> rdflib.Graph
    make_server(store_dir, host="127.0.0.1", port=8000, base=DEFAULT_BASE, timeout=10, max_rows=10000, …)
                                      # waitress; bounds in kg.publish.server / kg.publish.sparql
    export_static_site(store_dir, out_dir, base=DEFAULT_BASE) -> pages written
"""

from kg.publish.describe import dataset_description
from kg.publish.export import export
from kg.publish.server import make_server
from kg.publish.site import export_static_site

__all__ = ["dataset_description", "export", "export_static_site", "make_server"]
