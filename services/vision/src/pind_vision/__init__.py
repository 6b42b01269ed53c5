"""pind-vision: the text a video shows on screen, read with OCR and merged across frames."""
