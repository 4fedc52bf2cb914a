"""One module per subcommand of ``classroom-console``.

Each module defines ``HELP`` (one line), ``configure(parser)`` to add its options, and
``run(args) -> int``. ``classroom_console.cli`` finds them by name; a name with no module yet is a
planned command that says so and exits 2.
"""
