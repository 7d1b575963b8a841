"""The numeric instance: validated tables and scenario turned into indexed arrays (demand projected by year,
travel times by service, schemes, funding), ready for the formulation. Entry point: `build.build_instance`."""
