"""Checkpoints evaluated the way alignment papers report them: AlpacaEval 2 (LC win rate against
gpt4_1106_preview), Arena-Hard v0.1 (Bradley-Terry win rate against gpt-4-0314, with and without style
control), MT-Bench (single-answer 1-10 on both turns) and the concrete SOS-Bench factors, for one or more
models with any judge (:func:`alignscope.evaluation.run.evaluate_models`); ``alignscope evaluate`` and the
Meta-Rewarding loop's ``evaluate:`` block call it."""
