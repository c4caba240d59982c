"""A reader whose module takes 7 s to import, run inside the sandbox worker by
tests/test_ocr_sandbox.py: starting a worker is not part of any file's time limit."""

import time

from ingest.documents import read_document

time.sleep(7)

read = read_document
