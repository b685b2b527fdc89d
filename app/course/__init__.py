"""The course content: lesson files, their front matter, Markdown rendering and search."""
