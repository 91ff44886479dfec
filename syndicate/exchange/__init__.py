"""Files for people and tools outside: XLIFF for translators, TMX memories, TBX/CSV term bases.

Pure: bytes in, values out (and back). translate-toolkit reads and writes the documents;
``inline`` turns a block's HTML into numbered inline codes and back, so a CAT tool protects
the tags and a translator can neither lose nor invent markup.
"""
