"""Implementation details of kongchuo-rules: not part of the public API, free to change.

- :mod:`.kernel` — the ``@kernel`` mark on functions the batch engine compiles;
- :mod:`.days` — dates as integers (days since 1970-01-01) and their arithmetic;
- :mod:`.codes` — the integer codes of enums, event types, fields and parameters;
- :mod:`.tables` — the shared tables of a (policy, calendar): school days, term days, the
  parameters in force on each day, the action specs and routes;
- :mod:`.encode` — a case's events as rows of integers;
- :mod:`.build` — the models an assessment shows (actions, findings, trace), built on demand.
"""
