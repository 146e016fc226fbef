"""Clinical instruments (PHQ-9, GAD-7, WHO-5, PCL-5, MEQ-30) as data, and one scorer for all of them."""
