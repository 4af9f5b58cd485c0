"""maps: what the map engine knows about the world, as data a map draws: places and their shapes.

- ``names``: how a place's name is written to be found (accents, case and punctuation folded), and a name split
  from its hint (``Victoria, Canada``).
- ``places``: rivers (lines), lakes and admin-1 regions (polygons) from Natural Earth, by name.
- ``gazetteer``: every named place (countries, admin-1 regions, GeoNames' towns down to 1,000 people, seas,
  straits, rivers, lakes, ranges) resolved by name and hint, with did-you-mean, from an index built beforehand.
- ``searoute``: a leg between two places by water, on an ocean grid.

Nothing is read at import: each data file is read once per process, on first use.
"""
