"""Pure logic of vision: which frames to read, how OCR output becomes lines
and screen texts, and why a video cannot be read. Image maths (NumPy,
OpenCV on arrays) but no I/O, no frameworks."""
