"""Translation: the Translator seam, the Argos engine, segmenting, markup, glossary, packages.

``segment``, ``markup``, ``glossary.parse`` and ``article`` are pure (no database, clock, disk or
Flask); ``argos`` and ``packages`` are the edges that touch the engine and the packages dir.
"""
