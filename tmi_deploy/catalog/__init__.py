"""TMI variables as data, and the lint rules over declared environments."""
