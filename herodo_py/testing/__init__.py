"""``herodo test``: the test runner, the test globals (``testapi``), the janitor that labels and removes
what tests make, and the reports (text, TAP, JUnit). Built on the Lua host (:mod:`herodo_py.lua`)."""
