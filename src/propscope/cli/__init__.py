"""The command-line face: parses arguments, calls the library, prints.  No logic of its own."""
