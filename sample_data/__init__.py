"""The built-in demo data set and the generator that writes it.

``python -m sample_data.generate`` rewrites the CSV files in this folder.
"""
