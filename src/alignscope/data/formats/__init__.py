"""Readers of judgment and answer files in other tools' formats (AlpacaEval, Arena-Hard / FastChat)."""
