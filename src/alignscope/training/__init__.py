"""Alignment training through TRL: SFT, DPO, on-policy RL (GRPO/RLOO) and the Meta-Rewarding loop.

Modules: ``config`` (YAML configs), ``data`` (files and records -> ``datasets.Dataset``), ``sft`` / ``dpo`` /
``rl`` (typed wrappers over TRL's trainers, sharing ``trl_common``), ``reward_model`` (reward models: TRL's
RewardTrainer, one-logit sequence classifiers), ``rewards`` (scorers and reward models as RL rewards),
``trust_config`` / ``trust_study`` (base -> SFT -> DPO and RM + RL, the trust tasks on every checkpoint),
``run`` (config -> trained, saved and registered checkpoint), ``checkpoints`` (the ``<workspace>/models.json``
registry), ``pairs`` (actor and judge pair selection on score tables), ``meta_pairs`` (records -> DPO rows),
``meta_config`` / ``meta_rewarding`` (the loop, Self-Rewarding as its config), ``iteration_eval``
(per-iteration metrics), ``tiny`` (a tiny chat model for tests).

Several GPUs or nodes
---------------------
alignscope does no distribution of its own: the same script and config run under ``accelerate launch``, which
starts one process per GPU; TRL then trains with DDP, FSDP or DeepSpeed as the accelerate config says::

    accelerate config                      # once per machine: pick multi-GPU, FSDP or DeepSpeed ZeRO-2/3
    accelerate launch "$(which alignscope)" train dpo dpo.yaml --workspace runs/
    accelerate launch --num_processes 8 --config_file trl/accelerate_configs/zero3.yaml \\
        "$(which alignscope)" train sft sft.yaml --workspace runs/

(TRL ships ready accelerate configs under ``trl/accelerate_configs/``: ``multi_gpu``, ``fsdp1``, ``fsdp2``,
``zero1``/``zero2``/``zero3``.) ``batch_size`` is per device, so the global batch is
``batch_size x grad_accum x processes``. Give the run a ``name`` so every process saves to the same
checkpoint; the main process registers it. On GPUs, ``precision: auto`` trains in bf16 mixed precision; set
``trl: {model_init_kwargs: {dtype: bfloat16}}`` to also load the weights in bf16, and
``trl: {use_vllm: true, vllm_mode: colocate}`` to generate RL rollouts with vLLM.

PPO at cluster scale: OpenRLHF
------------------------------
TRL's released wheel has no PPO trainer; for PPO (actor, critic, reward and reference models on a Ray cluster
with vLLM rollouts) use OpenRLHF on the same files: prompt files (``prompt`` as text or chat messages) for RL
and prompt/chosen/rejected files for DPO. A reward model from ``alignscope train rm`` loads as it is with
``--reward_pretrain runs/checkpoints/<rm>`` in place of ``--remote_rm_url`` (OpenRLHF's PPO rewards the RM's
raw score, its critic the baseline; ``train rl`` with ``reward: rm:NAME`` subtracts r(chosen)).
A Python reward (an alignscope judge or scorer) plugs in through
``--remote_rm_url reward_func.py``, a file defining ``reward_func(queries, prompts, labels)`` where each query
is prompt + completion as rendered text, so ``completion = query[len(prompt):]``::

    ray start --head --num-gpus 8
    python -m openrlhf.cli.train_ppo_ray \\
        --pretrain runs/checkpoints/sft-model --remote_rm_url reward_func.py \\
        --prompt_data prompts.jsonl --input_key prompt --apply_chat_template \\
        --actor_num_gpus_per_node 4 --critic_num_gpus_per_node 2 --ref_num_gpus_per_node 2 \\
        --vllm_num_engines 2 --vllm_tensor_parallel_size 1 --colocate_actor_ref \\
        --micro_train_batch_size 8 --train_batch_size 128 --rollout_batch_size 1024 \\
        --max_epochs 1 --prompt_max_len 1024 --generate_max_len 1024 --zero_stage 3 --bf16 \\
        --actor_learning_rate 5e-7 --critic_learning_rate 9e-6 --init_kl_coef 0.01 \\
        --save_path runs/checkpoints/ppo-model

    deepspeed --module openrlhf.cli.train_dpo --pretrain runs/checkpoints/sft-model \\
        --dataset pairs.jsonl --prompt_key prompt --chosen_key chosen --rejected_key rejected \\
        --apply_chat_template --beta 0.1 --zero_stage 3 --bf16 --save_path runs/checkpoints/dpo-model

Recent OpenRLHF releases group these flags (``--actor.model_name_or_path``, ``--reward.remote_url``,
``--data.prompt_dataset``, ``--data.input_key``) and expect ``reward_func`` to return
``{"rewards": tensor, "scores": tensor}``; ``python -m openrlhf.cli.train_ppo_ray --help`` lists yours.
Register the result with ``alignscope.training.checkpoints.register_checkpoint`` to use it by name.
"""
