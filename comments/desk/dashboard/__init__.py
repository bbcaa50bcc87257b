"""The dashboard: the desk at a glance, an admin page for staff who may view comments.

`svg` draws, `views` lays the page out; the figures are counted by comments.stats (aggregate
queries, cached a minute), which the staff API answers as JSON too (comments.api.stats).
"""
