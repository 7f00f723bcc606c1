"""Data attribution: which training pairs moved a trained stage on a trust vertical.

DataInf (Kwon et al. 2023) over LoRA gradients: ``datainf`` (the influence formula, its explicit-inverse and
full-Hessian counterparts), ``losses`` (training and test losses per stage kind), ``gradients`` (per-pair
LoRA gradients), ``lora`` (a stage as LoRA over its parent: its adapter, or an SVD of the weight difference),
``pipeline`` (pairs and test prompts -> influence), ``run`` (checked jobs, Parquet output), ``refit``
(LoRA refits on subsets, for the counterfactual check).
"""
