"""Pure place-extraction logic: no I/O, no drivers, no settings.

Candidates come out of text (``extraction``), are resolved by a ``Geocoder``
port (``resolution``) and merged into one place per real place (``fusion``);
``pipeline`` runs the three steps for one analysis."""
