"""Pure gateway logic: no I/O, no drivers, no framework imports."""
