"""Places: link the regions, counties, townships (and villages) a disclosure names to NBS division codes."""

from kg.places.find import PlaceMention, find_places
from kg.places.gazetteer import (
    DIVISIONS_PATH,
    Division,
    Gazetteer,
    default_gazetteer,
    load_gazetteer,
    read_division_file,
    village_path,
)
from kg.places.link import PlaceLinks, ProjectPlaceLink, link_disclosure
from kg.places.region import Region, resolve_region

__all__ = [
    "DIVISIONS_PATH",
    "Division",
    "Gazetteer",
    "PlaceLinks",
    "PlaceMention",
    "ProjectPlaceLink",
    "Region",
    "default_gazetteer",
    "find_places",
    "link_disclosure",
    "load_gazetteer",
    "read_division_file",
    "resolve_region",
    "village_path",
]
