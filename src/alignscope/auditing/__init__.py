"""``alignscope audit``: live models answer prompts and run concrete suites, judges compare them, and the
meta-analysis holds judge-based scores against concrete factors; the published parts analyse shipped results;
all of it goes into one report."""
