"""Lightning callbacks that no library provides: the lecture's figures and keeping data on device."""
