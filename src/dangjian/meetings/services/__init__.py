"""Actions on meetings (do_*), one module per sub-domain: records (meetings and attendance), qr_signin,
attachments, kind_config (会议类型) and decisions (议题与“三重一大”决策). Import the module you need."""
