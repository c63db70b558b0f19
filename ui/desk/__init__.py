"""The front desk: main window, status bar, job detail, dialogs."""
