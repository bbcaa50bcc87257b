"""The site's name: a brand, never translated (it goes into translated sentences as a
placeholder). The feeds, the sitemaps and the structured data name the publisher with it."""

SITE_NAME = "The Meridian"
