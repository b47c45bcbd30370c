-- The seed activity catalogue from the plan (Kế hoạch 77/KH-UBND). Province staff edit it later;
-- codes are stable, names are display text.
INSERT INTO activity_types (code, task_group, name_vi, name_en, sort_order) VALUES
    ('information', 'information',
        'Tuyên truyền, phổ biến thông tin về chuyển đổi số',
        'Information on digital transformation', 10),
    ('public_service_account', 'digital_government',
        'Tạo tài khoản dịch vụ công (VNeID mức 2, Cổng Dịch vụ công quốc gia)',
        'Public-service account (VNeID level 2, national portal)', 20),
    ('online_application', 'digital_government',
        'Nộp hồ sơ dịch vụ công trực tuyến',
        'Online public-service application', 30),
    ('ecommerce_signup', 'digital_economy',
        'Đăng ký bán hàng trên sàn thương mại điện tử (postmart.vn, voso.vn, khác)',
        'E-commerce sign-up (postmart.vn, voso.vn, other)', 40),
    ('online_selling', 'digital_economy',
        'Hỗ trợ bán hàng trực tuyến (ảnh sản phẩm, gian hàng, đơn hàng, đóng gói)',
        'Online selling help (product photos, shop, orders, packing)', 50),
    ('epayment_account', 'digital_economy',
        'Mở tài khoản thanh toán điện tử',
        'E-payment account', 60),
    ('health_app', 'digital_society',
        'Cài đặt, sử dụng Sổ sức khỏe điện tử',
        'Electronic health book app', 70),
    ('other_essential_app', 'digital_society',
        'Ứng dụng thiết yếu khác (giáo dục, an sinh xã hội)',
        'Other essential app (education, social policy)', 80),
    ('digital_skills', 'digital_society',
        'Kỹ năng số và an toàn trên không gian mạng',
        'Digital skills and online safety', 90);

INSERT INTO feed (kind, entity_id) SELECT 'activity', code FROM activity_types ORDER BY sort_order;
