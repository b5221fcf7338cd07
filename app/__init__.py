"""The command line and process entry points (`sila …`): the top floor, imported by nobody."""
