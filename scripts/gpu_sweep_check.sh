#!/usr/bin/env bash
# GPU check of launcher=ray: one job alone, then a small sweep through Ray with one job per GPU and
# with JOBS_PER_GPU jobs sharing each GPU; reports each job's GPU, wall time and throughput
# (optimiser updates per second) against the job alone. Offline: trains on the bundled digits.
# Run from the repo root with the project and its 'ray' extra installed:
#   bash scripts/gpu_sweep_check.sh [OUT_DIR]        (EPOCHS=20 JOBS_PER_GPU=2 by default)
# LAUNCHER=joblib runs the sharing sweep with joblib instead (no GPU pinning: one-GPU machines only).
set -euo pipefail
OUT=${1:-outputs/gpu_sweep_check}
EPOCHS=${EPOCHS:-20}
JOBS_PER_GPU=${JOBS_PER_GPU:-2}
LAUNCHER=${LAUNCHER:-ray}
if command -v aa-train >/dev/null; then AA=(aa-train); else export PYTHONPATH=$PWD/src; AA=(python -m aa.entry.train); fi

NGPU=$(python -c "import torch; print(torch.cuda.device_count())")
[ "$NGPU" -gt 0 ] || { echo "gpu_sweep_check: no GPU visible"; exit 1; }
python -c "import hydra_plugins.hydra_${LAUNCHER}_launcher" 2>/dev/null || {
  echo "gpu_sweep_check: install the $LAUNCHER launcher first: pip install -e '.[$LAUNCHER]'"; exit 1; }
nvidia-smi -L
N=$((NGPU * 2))
LRS=$(python -c "print(','.join(f'{0.001 * (i + 1):g}' for i in range($N)))")
COMMON=(dataset=digits model=mlp batch=mini trainer=gpu "trainer.max_epochs=$EPOCHS"
        trainer.enable_progress_bar=false)
rm -rf "$OUT"
mkdir -p "$OUT"

secs() { python -c "import time; print(time.time())"; }
t0=$(secs)
"${AA[@]}" "${COMMON[@]}" "hydra.run.dir=$OUT/alone" >"$OUT/alone.log" 2>&1
t1=$(secs)
if [ "$LAUNCHER" = ray ]; then
  "${AA[@]}" -m launcher=ray hydra.launcher.ray.remote.num_gpus=1 "${COMMON[@]}" "optim.lr=$LRS" \
    "hydra.sweep.dir=$OUT/per_gpu" >"$OUT/per_gpu.log" 2>&1
  t2=$(secs)
  SHARE=("hydra.launcher.ray.remote.num_gpus=$(python -c "print(1 / $JOBS_PER_GPU)")")
else
  t2=$t1
  SHARE=("hydra.launcher.n_jobs=$((NGPU * JOBS_PER_GPU))" trainer.accelerator=gpu)
fi
"${AA[@]}" -m "launcher=$LAUNCHER" "${SHARE[@]}" "${COMMON[@]}" "optim.lr=$LRS" \
  "hydra.sweep.dir=$OUT/shared" >"$OUT/shared.log" 2>&1
t3=$(secs)

python - "$OUT" "$t0" "$t1" "$t2" "$t3" "$JOBS_PER_GPU" <<'EOF'
import glob, json, os, subprocess, sys

out, t0, t1, t2, t3, share = sys.argv[1], *map(float, sys.argv[2:6]), sys.argv[6]
names = dict(line.split(", ", 1) for line in subprocess.run(
    ["nvidia-smi", "--query-gpu=index,name", "--format=csv,noheader"], capture_output=True, text=True).stdout.splitlines())

def load(path):
    with open(path) as f:
        return json.load(f)

alone = load(f"{out}/alone/metrics.json")
alone_rate = alone["optimizer_steps"] / (t1 - t0)
print(f"\none job alone: {t1 - t0:.1f} s end to end, train() {alone['wall_time_s']} s, "
      f"{alone['optimizer_steps']} updates, {alone_rate:.0f} updates/s, val/acc {alone['val']['acc']:.3f}")
for label, sweep, start, end in (("one job per GPU", "per_gpu", t1, t2), (f"{share} jobs per GPU", "shared", t2, t3)):
    if not os.path.isdir(f"{out}/{sweep}"):
        continue
    print(f"\nsweep, {label}: {end - start:.1f} s end to end")
    print(f"{'job':>4} {'GPU':>4} {'name':<28} {'status':<9} {'train() s':>9} {'updates':>8} {'val/acc':>8}")
    steps = 0
    for d in sorted(glob.glob(f"{out}/{sweep}/[0-9]*"), key=lambda p: int(os.path.basename(p).split("_")[0])):
        job = load(f"{d}/job.json")
        m = load(f"{d}/metrics.json") if os.path.exists(f"{d}/metrics.json") else {}
        steps += m.get("optimizer_steps", 0)
        gpu = job.get("cuda_visible_devices") or "-"
        print(f"{os.path.basename(d).split('_')[0]:>4} {gpu:>4} {names.get(gpu, '?'):<28} {job['status']:<9} "
              f"{m.get('wall_time_s', float('nan')):>9} {m.get('optimizer_steps', 0):>8} {m.get('val', {}).get('acc', float('nan')):>8.3f}")
    rate = steps / (end - start)
    print(f"throughput: {rate:.0f} updates/s = {rate / alone_rate:.2f} x one job alone")
EOF
