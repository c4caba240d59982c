"""The web app's parts: one module per tab, each building its own Gradio blocks and handlers,
plus the HTML helpers they share. `app.py` composes them. Imports flow qa -> ui -> app."""
