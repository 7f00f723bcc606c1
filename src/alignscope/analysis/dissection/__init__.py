"""Preference dissection (Li et al., 2024): comparison features over 29 properties, Bayesian logistic
regression per scenario and preference source, and comparisons of the fitted preference profiles.

Modules: properties (the 29 properties), features (pair features), words (the original's word count),
deterministic (text-measured properties), fit (the fitter), table (fit from a feature table), released (the
original's fitted weights), compare (profile analyses), plots (SVG), alpaca_style (an AlpacaEval judge's style
preferences), judge_run (dissect a stored judge run), manipulate (the manipulation experiment's design and
scoring; :mod:`alignscope.experiments.manipulation` runs it).
"""
