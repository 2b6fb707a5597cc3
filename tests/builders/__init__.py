"""Test data and helpers shared by test modules, so no test module imports another.

- `scoring`: a customer base with known scores (`build_base`, `Base`, `TODAY`, `VIEWER`, `orders`);
- `knowledge`: a base for the knowledge refresh (`build`, `give_to_sara`);
- `teams`: two teams over five customers, for the team views of knowledge (`build`, `ADMIN`);
- `notes`: one note about a customer with its revisions (`linked_note`), for both bases;
- `quality`: a base with known data-quality gaps (`build_quality_base`, `QualityBase`);
- `people`: a staff account of a given role (`staff`);
- `duplicates`: records that are the same customer several times (`rahimi_three_times`,
  `pars_sina_twice`, `seed_and_check`);
- `importing`: an editor, a file written in a given encoding and its suggested settings
  (`create_editor`, `write_file`, `suggested_settings`);
- `cli`: `run_ckm`, `python -m ckm` as a real process.
"""
