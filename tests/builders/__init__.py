"""Test data and helpers shared by test modules, so no test module imports another.

- `scoring`: a customer base with known scores (`build_base`, `Base`, `TODAY`, `VIEWER`, `orders`);
- `knowledge`: a base for the knowledge refresh (`build`);
- `teams`: two teams over five customers, for the team views of knowledge (`build`, `ADMIN`);
- `notes`: one note about a customer with its revisions (`linked_note`), for both bases;
- `quality`: a base with known data-quality gaps (`build_quality_base`, `QualityBase`);
- `cli`: `run_ckm`, `python -m ckm` as a real process.
"""
