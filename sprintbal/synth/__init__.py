"""Synthetic sprinters with a known answer: parametric 3D motion, rendering, truth files.

Modules: :mod:`.motion` (parametric sprint, perturbations), :mod:`.render` (camera, body solids, scene),
:mod:`.truth` (the known answer and its file), :mod:`.generate` (clip + truth, motion CSV),
:mod:`.deepmimic` (a real running stride from motion capture as a motion CSV).
"""
