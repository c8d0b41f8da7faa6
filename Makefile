# `make demo` and `make test` set up .venv on first use and skip finished steps after.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
# A prebuilt mmcv 2.1.0 wheel (cp311, torch 2.13.0+cpu) is used when present;
# without it pip compiles mmcv's ops from source (25-35 minutes on 2 cores).
WHEELS ?= ../shared/wheels
FIND_LINKS := $(if $(wildcard $(WHEELS)/mmcv-*.whl),--find-links $(WHEELS),)
STAMP := $(VENV)/.installed
REQS := requirements/build.txt requirements/runtime.txt requirements/tests.txt setup.py \
	mmrot_ext/csrc/rbox_geometry.cpp

# Demo: synthetic scenes -> cpu-tiny Mask R-CNN -> COCO segm AP -> picture.
DEMO_DATA := data/synthetic_sparse
DEMO_CFG := configs/mask_rcnn/mask-rcnn_r18_fpn_cpu-tiny_synthetic-sparse.py
DEMO_WORK := work_dirs/demo
DEMO_OUT := outputs/demo
PYTEST_ARGS ?=

.PHONY: install test test-fast demo clean-demo places-demo

install: $(STAMP)

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(PY) $(REQS)
	$(PIP) install -r requirements/build.txt
	MMCV_WITH_OPS=1 $(PIP) install --no-build-isolation $(FIND_LINKS) \
		-r requirements/runtime.txt -r requirements/tests.txt
	$(PIP) install --no-build-isolation --no-deps -e .
	$(PY) -c "import mmrot_ext.modules, mmcv.ops; from mmrot_ext.structures.rbox_kernel import kernel; kernel(); print('mmrot_ext', mmrot_ext.__version__, 'ready')"
	touch $@

test: $(STAMP)
	$(PY) -m pytest tests $(PYTEST_ARGS)

# the same without the tests marked slow (training runs, end-to-end tools)
test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not slow" $(PYTEST_ARGS)

$(DEMO_DATA)/.done: $(STAMP)
	$(PY) tools/dataset_converters/make_synthetic_dense.py $(DEMO_DATA) \
		--num-train 1000 --num-val 100 --num-test 100 --preset sparse --seed 0
	touch $@

$(DEMO_WORK)/.done: $(DEMO_DATA)/.done $(DEMO_CFG)
	$(PY) tools/train.py $(DEMO_CFG) --work-dir $(DEMO_WORK) --resume --allow-fresh-start
	touch $@

demo: $(DEMO_WORK)/.done
	$(PY) tools/test.py $(DEMO_CFG) $$(cat $(DEMO_WORK)/last_checkpoint) \
		--eval segm --work-dir $(DEMO_WORK)/test
	$(PY) demo/image_demo.py $(DEMO_DATA)/val/000000.jpg $(DEMO_CFG) \
		--weights $$(cat $(DEMO_WORK)/last_checkpoint) --out-dir $(DEMO_OUT)
	@echo "demo picture: $(DEMO_OUT)/vis/000000.png"

clean-demo:
	rm -rf $(DEMO_DATA) $(DEMO_WORK) $(DEMO_OUT)

# Places challenge pipeline on a generated Places-format set (JPEG + PNG):
# convert -> train cpu-tiny -> test (segm, challenge rules) -> submission
# JSON -> score it with the standalone evaluator.
PLACES_DATA := data/synthetic_places
PLACES_CFG := configs/places/mask-rcnn_r18_fpn_cpu-tiny_synthetic-places.py
PLACES_WORK := work_dirs/places_demo

$(PLACES_DATA)/.done: $(STAMP)
	$(PY) tools/dataset_converters/make_synthetic_places.py $(PLACES_DATA) \
		--num-train 400 --num-val 100 --preset sparse --seed 0
	for split in training validation; do \
		$(PY) tools/dataset_converters/places_png_to_coco.py \
			--ann_dir $(PLACES_DATA)/annotations_instance/$$split \
			--imgCatIdsFile $(PLACES_DATA)/imgCatIds.json \
			--output_json $(PLACES_DATA)/instance_$${split}_gts.json \
			|| exit 1; \
	done
	touch $@

$(PLACES_WORK)/.done: $(PLACES_DATA)/.done $(PLACES_CFG)
	$(PY) tools/train.py $(PLACES_CFG) --work-dir $(PLACES_WORK) --resume --allow-fresh-start
	touch $@

places-demo: $(PLACES_WORK)/.done
	$(PY) tools/test.py $(PLACES_CFG) $$(cat $(PLACES_WORK)/last_checkpoint) \
		--eval segm --work-dir $(PLACES_WORK)/test --cfg-options \
		test_evaluator.submission_file=$(PLACES_WORK)/submission.json
	$(PY) tools/analysis_tools/places_eval.py \
		--dataset_json $(PLACES_DATA)/instance_validation_gts.json \
		--preds_json $(PLACES_WORK)/submission.json
