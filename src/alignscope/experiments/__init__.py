"""Experiments that call models and then analyse what came back: each runs its generations and judgments
through the engine (cached, resumable) and hands the records to the analysis layer, which calls no model.

Modules: manipulation (the manipulation experiment of preference dissection).
"""
