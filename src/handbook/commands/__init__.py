"""Commands: what a coordinator runs (`build`, `check`, `serve`, `match`, `init`, `schema`). Each one
runs the same load-and-validate stage, then renders and hands the result to the output adapters.

May import every room. Nothing imports commands (except `handbook.__main__`).
"""
