"""The conversation and the moderation in numbers: the figures the editors' dashboard draws
(comments.desk.dashboard) and the staff API answers (comments.api.stats), counted by
aggregate queries the indexes serve (`figures`), at most once a minute (`cached_figures`).

Below the desk and the API, which both read it; it reads the models and the rules' names."""

from .figures import Figures, cached_figures, figures

__all__ = ["Figures", "cached_figures", "figures"]
