"""Pure logic of transcript: which caption track to take, WebVTT, speech
segments and the transcript built from them. No I/O, no frameworks."""
