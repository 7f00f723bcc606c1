"""The questions and answers of the tiny Inspect and lm-eval runs the import tests read back."""

QUESTIONS = [
    {"id": "q1", "question": "What is 2+2?", "answer": "4", "choices": ["3", "4"], "label": 1},
    {
        "id": "q2",
        "question": "Capital of France?",
        "answer": "Paris",
        "choices": ["Paris", "Rome"],
        "label": 0,
    },
    {
        "id": "q3",
        "question": "Colour of the sky?",
        "answer": "blue",
        "choices": ["blue", "green"],
        "label": 0,
    },
]
INSPECT_ANSWERS = ["4", "London", "It is blue"]
